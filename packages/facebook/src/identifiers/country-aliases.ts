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
    // The two Congos by the names exports use (fresh helper 103, F6: "Congo (Kinshasa)" lost its parenthetical and read as CG).
    'dr congo': 'CD',
    'd.r. congo': 'CD',
    'drc': 'CD',
    'congo-kinshasa': 'CD',
    'congo (kinshasa)': 'CD',
    'congo, democratic republic of the': 'CD',
    'congo, the democratic republic of the': 'CD',
    'congo-brazzaville': 'CG',
    'congo (brazzaville)': 'CG',
    'congo, republic of the': 'CG',
    'congo - kinshasa': 'CD',
    'congo (drc)': 'CD',
    'democratic republic of congo': 'CD',
    'congo, dem. rep.': 'CD',
    'congo - brazzaville': 'CG',
    'republic of congo': 'CG',
    'congo, rep.': 'CG',
  }),
);

/**
 * Names that stand for more than one country in everyday use, lowercase: never read as either
 * (i18n-iso-countries reads "Congo" as CG, while it as often means the DR Congo, CD: fresh
 * helper 103, F6). Their full names and the aliases above are read.
 */
export const AMBIGUOUS_COUNTRY_NAMES: ReadonlySet<string> = new Set(['congo', 'the congo', 'korea', 'virgin islands', 'the virgin islands']);
