/**
 * Country names i18n-iso-countries does not know (older or official variants, as found in
 * exported customer data), lowercase → ISO 3166-1 alpha-2. Names that are ambiguous
 * ("Korea": KR or KP) or no longer in ISO 3166-1 ("Netherlands Antilles", split in 2010)
 * are deliberately absent: they are reported as unmappable rather than guessed.
 */
export const COUNTRY_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    'micronesia': 'FM',
    'palestinian territory': 'PS',
    'palestinian territories': 'PS',
    'libyan arab jamahiriya': 'LY',
    'british virgin islands': 'VG',
    'united states virgin islands': 'VI',
    'us virgin islands': 'VI',
    'macedonia': 'MK',
    'saint martin': 'MF',
    'swaziland': 'SZ',
    'moldova': 'MD',
    'saint barthelemy': 'BL',
    'kyrgyz republic': 'KG',
    'svalbard and jan mayen islands': 'SJ',
    'holy see': 'VA',
    'vatican city': 'VA',
    'great britain': 'GB',
    'england': 'GB',
    'scotland': 'GB',
    'wales': 'GB',
    'northern ireland': 'GB',
    'uk': 'GB',
    'usa': 'US',
  }),
);
