#!/usr/bin/env node
// The main-job demo (`npm run demo`): replays the two-stage lifecycle that motivates sync
// modes, on the project's own sample contacts (examples/), against a local Salesforce
// emulator, through the built `syncmodes` CLI.
//
//   1. New sign-ups go to Leads in Additive mode: sales claims them; nobody is ever removed.
//   2. Sales converts some Leads into Contacts (done here through the emulator's admin API).
//   3. Converted people are kept current as Contacts in Enrich mode: only existing Contacts
//      are updated; nobody is created.
//   4. The sign-up feed runs a week later: converted Leads are skipped (Salesforce refuses
//      updates to them), new sign-ups are created, the rest kept current.
//   5. Week 3, in Sync mode: two people left the list, and the Leads this sync created for
//      them are deleted.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'packages', 'cli', 'bin', 'syncmodes.js');
const work = join(root, '.syncmodes', 'demo');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const emulator = createSalesforceEmulator();
const url = await emulator.start();
const env = { ...process.env, SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function step(title, why) {
  console.log(`\n${bold(`━━ ${title}`)}\n${why}\n`);
}

// The emulator runs in this process, so the CLI runs as an asynchronous child process.
async function syncmodes(args, label) {
  const shown = ['syncmodes', ...args.map((a) => (/[\s;]/.test(a) ? JSON.stringify(a) : a))].join(' ');
  console.log(`$ ${shown.replace(url, '<emulator>')}\n`);
  const child = spawn(process.execPath, [cli, ...args, '--state-dir', join(work, 'state'), '--report', join(work, `${label}.json`), '--no-progress'], {
    env,
    stdio: 'inherit',
  });
  const status = await new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  console.log(`(exit code ${status}; report: .syncmodes/demo/${label}.json)`);
  return status;
}

const signups = join(root, 'examples', 'signups.csv');
const q3 = join(root, 'examples', 'customers-q3.csv');
const week2 = join(root, 'examples', 'signups-week2.csv');
const week3 = join(root, 'examples', 'signups-week3.csv');
const leadArgs = [
  'sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--option', 'object=Lead',
  '--from', signups, '--sync-name', 'signups', '--id', 'Customer Id',
  '--map', 'FirstName=First Name', '--map', 'LastName=Last Name', '--map', 'Company=Company',
  '--map', 'Email=Email', '--map', 'Phone=Phone', '--map', 'Subscription_Date__c=Signup Date',
  '--option', 'dateFormat=dd-MM-yyyy', '--groups', 'Source',
];

try {
  step(
    'Stage 1 · new sign-ups → Salesforce Leads, Additive mode',
    'Additive adds and updates, never removes: sales works these Leads, so nothing this feed does may take one away.\n' +
      'Campaign membership follows the "Source" column. Bad rows fail alone (no email, a malformed email).',
  );
  await syncmodes([...leadArgs, '--mode', 'additive'], '1-leads-additive');

  step(
    'Stage 1, again · the same file',
    'Nothing changed, so nothing is written. (The two rows that failed are looked up again: they never made it into the sync\'s state.)',
  );
  await syncmodes([...leadArgs, '--mode', 'additive'], '1b-leads-rerun');

  const converted = ['ada@analytical.example', 'alan.turing@bletchley.example', 'grace@cobol.example', 'edsger@shortestpath.example', 'margaret@apollo.example', 'zoe.obrien@quoted.example'];
  step('Sales converts 6 Leads into Contacts', 'In Salesforce, a salesperson converts qualified Leads; the emulator does the same through its admin API.');
  const conversion = await fetch(`${url}/__emulator/convert-leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emails: converted }) });
  console.log(`converted: ${(await conversion.json()).length} Leads → Contacts`);

  step(
    'Stage 2 · the customer export → Contacts, Enrich mode',
    'Enrich only updates records that already exist: the 6 converted people get their titles and subscription dates;\n' +
      'everyone else is skipped as not_found — the export never creates Contacts behind sales\'s back.',
  );
  await syncmodes(
    [
      'sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--option', 'object=Contact', '--mode', 'enrich',
      '--from', q3, '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'Phone=Phone', '--map', 'Title=Title',
      '--map', 'Subscription_Date__c=Subscription Date', '--option', 'dateFormat=dd-MM-yyyy',
    ],
    '2-contacts-enrich',
  );

  step(
    'Stage 1 feed, a week later · Leads, Additive mode',
    'Two new sign-ups, two fixed rows, two changed phones. A changed phone on a converted Lead is skipped with\n' +
      'converted_lead (Salesforce refuses updates to converted Leads); everything else is created or updated.',
  );
  await syncmodes([...leadArgs.map((a) => (a === signups ? week2 : a)), '--mode', 'additive'], '3-leads-week2');

  step(
    'Stage 1 feed, week 3 · Leads, Sync mode',
    'Two people asked to be forgotten and left the sign-up list. In Sync mode the Leads this sync created are deleted when\n' +
      'they leave the source; Leads made by people or other tools never are. (A run that would delete more than 10% of what\n' +
      'the sync created is refused before anything is sent.)',
  );
  await syncmodes([...leadArgs.map((a) => (a === signups ? week3 : a)), '--mode', 'sync'], '4-leads-sync');

  const data = emulator.org.snapshot();
  step('What Salesforce holds now', `${data.Lead.length} Leads (${data.Lead.filter((l) => l.IsConverted).length} converted), ${data.Contact.length} Contacts, ${data.Campaign.length} Campaigns, ${data.CampaignMember.length} campaign members.`);
  for (const c of data.Contact) console.log(`  Contact  ${String(c.Name).padEnd(20)} ${String(c.Email).padEnd(34)} ${String(c.Title ?? '').padEnd(28)} subscribed ${c.Subscription_Date__c ?? '—'}`);
} finally {
  await emulator.stop();
}
