/** The spellings of a destination id used in generated code (`my-crm` → `MyCrm`, `myCrm`, `MY_CRM`, `My Crm`). */
export interface Names {
  /** PascalCase, for types and factory names (`createMyCrmEmulator`). */
  readonly className: string;
  /** camelCase, for values (`myCrmDestination`). */
  readonly propertyName: string;
  /** UPPER_SNAKE_CASE, for environment variables (`MY_CRM_API_KEY`). */
  readonly constantName: string;
  /** Words, for people (`My Crm`). */
  readonly displayName: string;
}

/** The spellings of an id made of lowercase letters, digits and `-`. */
export function names(id: string): Names {
  const words = id.split('-').filter(Boolean);
  const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const className = words.map(capital).join('');
  return {
    className,
    propertyName: className.charAt(0).toLowerCase() + className.slice(1),
    constantName: words.map((w) => w.toUpperCase()).join('_'),
    displayName: words.map(capital).join(' '),
  };
}
