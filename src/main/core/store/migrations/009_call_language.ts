// The language a contact is called in (a BCP 47 tag such as hi-IN; NULL = the campaign's default), and the language
// each attempt was placed in, which hand-offs route by (docs/architecture.md, Call language).
export const up = /* sql */ `
ALTER TABLE contacts ADD COLUMN language TEXT;
ALTER TABLE calls ADD COLUMN language TEXT;
`;
