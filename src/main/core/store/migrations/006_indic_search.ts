// Transcript search in Indic scripts. unicode61's default categories (L* N* Co) end a word at every vowel sign and
// virama (Unicode category M*), so हिन्दी was indexed as ह, न, द and शर्मा matched शर्म. Keeping M* inside words
// indexes whole words in Devanagari, Tamil, Bengali and the other Indic scripts; Latin text is tokenised as before.
// FTS5 cannot change a table's tokenizer, so the index is rebuilt from its own stored documents (see
// docs/architecture.md, Transcript search).
export const up = /* sql */ `
CREATE VIRTUAL TABLE call_search_rebuilt USING fts5(
  transcript, summary, tokenize = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);
INSERT INTO call_search_rebuilt (rowid, transcript, summary) SELECT rowid, transcript, summary FROM call_search;
DROP TABLE call_search;
ALTER TABLE call_search_rebuilt RENAME TO call_search;
INSERT INTO call_search (call_search) VALUES ('optimize');
`;
