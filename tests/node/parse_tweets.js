// Reads a JSON array of strings on stdin; prints one JSON array with, for each string, what
// the official twitter-text (parseTweet, extractUrlsWithIndices) and this Node's
// Intl.Segmenter (its ICU grapheme clusters) make of it. tests/test_counters_parity.py runs it.
'use strict';

const twitterText = require('twitter-text');

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function codePointIndex(text, utf16Index) {
  return Array.from(text.slice(0, utf16Index)).length;
}

function describe(text) {
  const parsed = twitterText.parseTweet(text);
  const normalized = text.normalize();
  const urls = twitterText.extractUrlsWithIndices(normalized).map((entity) => [
    codePointIndex(normalized, entity.indices[0]),
    codePointIndex(normalized, entity.indices[1]),
    entity.url,
  ]);
  let graphemes = 0;
  for (const _ of segmenter.segment(text)) graphemes += 1;
  return { weightedLength: parsed.weightedLength, valid: parsed.valid, urls, graphemes };
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const versions = { icu: process.versions.icu, unicode: process.versions.unicode };
  process.stdout.write(JSON.stringify({ versions, results: texts.map(describe) }));
});
