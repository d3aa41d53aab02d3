import type { EmulatorData } from '@syncmodes/connector-kit/emulator';
import { z } from 'zod';
import { SCHEMA_KEYS } from '../identifiers/schema-keys';
import { MemberSet, type Member } from './member-set';

/** The ad account seeded audiences belong to when the seed names none (also the emulator plugin's default). */
export const EMULATOR_AD_ACCOUNT_ID = 'act_1000';

/** Behaviour switches of the emulator (seedable, and settable at `POST /__emulator/settings`). */
export interface EmulatorSettings {
  /** A removal that would leave an audience with fewer people than this is refused (200 / 1870047). Meta's threshold is roughly 100. */
  lowAudienceSize: number;
  /** Values the emulator reports as invalid entries (as Meta does for hashes it cannot use). */
  invalidValues: string[];
  /** When true, every Graph request is answered 190 / 463 (token expired). */
  tokenExpired: boolean;
  /**
   * Whether the token's user accepted the Custom Audience Terms of Service for the ad
   * account's business (default true). When false, creating an audience and changing its
   * members are refused with 200 / 1870034 "Custom Audience Terms Not Accepted"; reads still
   * answer. https://developers.facebook.com/docs/marketing-api/audiences/reference/custom-audience-terms-of-service/
   */
  termsAccepted: boolean;
}

/** A customer-list audience the emulator holds. */
export interface StoredAudience {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly subtype: 'CUSTOM';
  readonly customerFileSource: string;
  readonly description: string;
  readonly members: MemberSet;
  /** When it was created, a Unix timestamp in seconds (Graph's `time_created`: https://developers.facebook.com/docs/marketing-api/reference/custom-audience/). */
  readonly timeCreated: number;
  /**
   * Flagged for integrity restrictions (`operation_status` 471): membership changes are
   * refused with 100 / 1713230 "Audience Upload Blocked".
   * https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/custom-audience/users
   */
  uploadBlocked?: boolean;
}

/** One audience as `GET /__emulator/records` shows it (see the package README). */
export interface AudienceRecord {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly subtype: 'CUSTOM';
  readonly customerFileSource: string;
  readonly description: string;
  readonly size: number;
  /** When it was created, Unix seconds. */
  readonly timeCreated?: number;
  readonly members: Member[];
  /** `links[i]`: the identifying values (`KEY:value`) `members[i]` was ever matched by besides its current ones. */
  readonly links?: string[][];
  readonly uploadBlocked?: boolean;
}

/** The emulator's data as `GET /__emulator/records` returns it and persistence stores it. */
export interface FacebookEmulatorData {
  readonly audiences: AudienceRecord[];
  readonly settings: EmulatorSettings;
  readonly nextId: number;
}

const memberSchema = z.partialRecord(z.enum(SCHEMA_KEYS), z.string());

const settingsSchema = z.object({
  lowAudienceSize: z.number().int().min(0).optional(),
  invalidValues: z.array(z.string()).optional(),
  tokenExpired: z.boolean().optional(),
  termsAccepted: z.boolean().optional(),
});

/** The seed file's shape (see the package README). */
export const seedSchema = z.strictObject({
  audiences: z
    .array(
      z.strictObject({
        id: z.string().regex(/^\d+$/).optional(),
        name: z.string().min(1),
        accountId: z.string().regex(/^act_\d+$/).optional(),
        customerFileSource: z.string().optional(),
        description: z.string().optional(),
        members: z.array(memberSchema).optional(),
        uploadBlocked: z.boolean().optional(),
        /** Unix seconds (default: now). */
        timeCreated: z.number().int().positive().optional(),
      }),
    )
    .optional(),
  settings: settingsSchema.optional(),
});

/** The persisted data's shape ({@link FacebookEmulatorData}), checked before it is loaded. */
const dataSchema = z.object({
  audiences: z.array(
    z.looseObject({
      id: z.string().regex(/^\d+$/),
      name: z.string().min(1),
      accountId: z.string().regex(/^act_\d+$/),
      customerFileSource: z.string().optional(),
      description: z.string().optional(),
      members: z.array(memberSchema),
      links: z.array(z.array(z.string())).optional(),
      uploadBlocked: z.boolean().optional(),
      timeCreated: z.number().int().positive().optional(),
    }),
  ),
  settings: settingsSchema.optional(),
  nextId: z.number().int().optional(),
});

/** Defaults of {@link EmulatorSettings}. */
export const DEFAULT_SETTINGS: EmulatorSettings = { lowAudienceSize: 100, invalidValues: [], tokenExpired: false, termsAccepted: true };

/** Ad-account audiences, their members, and the emulator's settings. */
export class AudienceStore implements EmulatorData<FacebookEmulatorData> {
  audiences: StoredAudience[] = [];
  settings: EmulatorSettings;
  private nextId = 23_850_000_000_000;

  constructor(private readonly defaults: EmulatorSettings = DEFAULT_SETTINGS) {
    this.settings = { ...defaults, invalidValues: [...defaults.invalidValues] };
  }

  /** A fresh numeric id (audiences, sessions). */
  newId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  byId(id: string): StoredAudience | undefined {
    return this.audiences.find((a) => a.id === id);
  }

  /** Creates an audience in an account. */
  create(fields: {
    accountId: string;
    name: string;
    customerFileSource: string;
    description?: string | undefined;
    id?: string | undefined;
    members?: readonly Member[];
    links?: readonly (readonly string[])[] | undefined;
    /** Unix seconds (default: now). */
    timeCreated?: number | undefined;
  }): StoredAudience {
    const audience: StoredAudience = {
      id: fields.id ?? this.newId(),
      accountId: fields.accountId,
      name: fields.name,
      subtype: 'CUSTOM',
      customerFileSource: fields.customerFileSource,
      description: fields.description ?? '',
      members: new MemberSet(fields.members ?? [], fields.links),
      timeCreated: fields.timeCreated ?? Math.floor(Date.now() / 1000),
    };
    this.audiences.push(audience);
    return audience;
  }

  /** Merges settings. */
  configure(settings: { readonly [K in keyof EmulatorSettings]?: EmulatorSettings[K] | undefined }): void {
    const parsed = settingsSchema.parse(settings);
    this.settings = {
      lowAudienceSize: parsed.lowAudienceSize ?? this.settings.lowAudienceSize,
      invalidValues: parsed.invalidValues ?? this.settings.invalidValues,
      tokenExpired: parsed.tokenExpired ?? this.settings.tokenExpired,
      termsAccepted: parsed.termsAccepted ?? this.settings.termsAccepted,
    };
  }

  snapshot(): FacebookEmulatorData {
    return {
      audiences: this.audiences.map((a) => ({
        id: a.id,
        accountId: a.accountId,
        name: a.name,
        subtype: a.subtype,
        customerFileSource: a.customerFileSource,
        description: a.description,
        size: a.members.size,
        timeCreated: a.timeCreated,
        members: a.members.list(),
        links: a.members.links(),
        ...(a.uploadBlocked ? { uploadBlocked: true } : {}),
      })),
      settings: { ...this.settings, invalidValues: [...this.settings.invalidValues] },
      nextId: this.nextId,
    };
  }

  /**
   * Adds audiences and members (and settings) in the seed's shape; an audience named like
   * an existing one of the same account gets the members added. Validated whole first.
   *
   * @throws Error naming the first problem, before anything is changed.
   */
  seed(input: unknown): void {
    const parsed = seedSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`invalid seed at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown problem'}`);
    }
    if (parsed.data.settings) this.configure(parsed.data.settings);
    for (const a of parsed.data.audiences ?? []) {
      const accountId = a.accountId ?? EMULATOR_AD_ACCOUNT_ID;
      const existing = this.audiences.find((x) => (a.id ? x.id === a.id : x.name === a.name && x.accountId === accountId));
      const members = (a.members ?? []) as Member[];
      const target = existing ?? this.create({ accountId, name: a.name, customerFileSource: a.customerFileSource ?? 'USER_PROVIDED_ONLY', description: a.description, id: a.id, members: [], timeCreated: a.timeCreated });
      for (const m of members) target.members.add(m);
      if (a.uploadBlocked !== undefined) target.uploadBlocked = a.uploadBlocked;
    }
  }

  /** Replaces the data with what `snapshot` saved. @throws Error naming what is wrong, when `data` is not that shape (nothing is changed). */
  load(data: FacebookEmulatorData): void {
    const checked = dataSchema.safeParse(data);
    if (!checked.success) throw new Error(`it is not the Facebook emulator's data (${z.prettifyError(checked.error).replace(/✖\s*/g, '').replace(/\s+/g, ' ').trim()})`);
    this.reset();
    for (const a of data.audiences ?? []) Object.assign(this.create({ ...a, members: a.members, links: a.links }), a.uploadBlocked ? { uploadBlocked: true } : {});
    if (data.settings) this.settings = { ...DEFAULT_SETTINGS, ...data.settings };
    if (typeof data.nextId === 'number') this.nextId = data.nextId;
  }

  reset(): void {
    this.audiences = [];
    this.settings = { ...this.defaults, invalidValues: [...this.defaults.invalidValues] };
  }
}
