// Prints the tables publisher/counters.py copies from twitter-text 3.1 as JSON: its generic
// and country top-level domains (in their regex order) and twemoji-parser's emoji regex.
'use strict';

const twitterText = require('twitter-text');
const emoji = require('twemoji-parser/dist/lib/regex').default;

function tlds(regex) {
  const match = /^\(\?:\(\?:(.*)\)\(\?=\[\^0-9a-zA-Z@\+\\?-\]\|\$\)\)$/.exec(regex.source);
  if (!match) throw new Error(`unexpected TLD regex: ${regex.source.slice(0, 80)}`);
  return match[1].split('|');
}

process.stdout.write(
  JSON.stringify({
    version: require('twitter-text/package.json').version,
    twemojiParser: require('twemoji-parser/package.json').version,
    gtld: tlds(twitterText.regexen.validGTLD),
    cctld: tlds(twitterText.regexen.validCCTLD),
    emoji: { source: emoji.source, flags: emoji.flags },
  }),
);
