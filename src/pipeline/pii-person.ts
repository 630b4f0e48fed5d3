/**
 * Person-name detector, deliberately conservative: a name is only taken where its context
 * says it is one — after an honorific ("Mr. John Smith", "Dr. Okafor"), after a label
 * ("Name: Jane Doe", "From: Jane Doe <…>", "Signed-off-by: Jane Doe"), after a salutation or
 * sign-off ("Dear Jane Doe", "Regards,\nJane Doe") or after "written/approved/… by". Names
 * in running prose are not found (see docs/pipeline.md for why no NLP library is used).
 * Only the name is replaced; the honorific or label stays ("Dr. [PERSON]").
 */
import type { PiiMatch } from './pii.ts';
import { matchesOf } from './pii-text.ts';

/** One name word: Smith, McDonald, O'Brien, Smith-Jones, Zoë, or an initial (J.). */
const WORD = "(?:(?:[A-Z]['’])?\\p{Lu}\\p{Ll}{1,20}(?:\\p{Lu}\\p{Ll}{1,20})?(?:-\\p{Lu}\\p{Ll}{1,20})?|\\p{Lu}\\.)";
/** Lower-case particles inside a name: Ludwig van Beethoven, Maria de la Cruz. */
const PARTICLE = '(?:van|von|de|der|den|da|di|del|la|le|du|bin|al|ter)';
/** A full name: two to four words, particles allowed between them. */
const FULL_NAME = `${WORD}(?:[ \\t](?:${PARTICLE}[ \\t]){0,2}${WORD}){1,3}`;
/** After an honorific one word is enough: "Dr. Okafor". */
const HONORIFIC_NAME = `${WORD}(?:[ \\t](?:${PARTICLE}[ \\t]){0,2}${WORD}){0,3}`;

/** Writes each label so its first letter matches in either case: "Name" → "[Nn]ame". */
function labels(list: string): string {
  return list
    .split('|')
    .map((label) => `[${label[0]!.toUpperCase()}${label[0]!.toLowerCase()}]${label.slice(1).replace(/ /g, '[ \\t]')}`)
    .join('|');
}

const COLON_LABELS = labels(
  'name|full name|first and last name|contact|contact person|emergency contact|customer|client|patient|employee|' +
    'author|signed-off-by|co-authored-by|reviewed-by|reported-by|acked-by|tested-by|suggested-by|helped-by|' +
    'assignee|assigned to|reporter|owner|cardholder|card holder|account holder|account name|attn|attention|' +
    'from|to|cc|bcc|passenger|guest|recipient|sender|requester|applicant|beneficiary|tenant|landlord|witness|signed|signature',
);
const BY_LABELS = labels('written|authored|approved|signed|submitted|reviewed|requested|reported|created|prepared|filed');
const SIGN_OFFS = labels('regards|best regards|kind regards|warm regards|sincerely|yours sincerely|best|thanks|many thanks|cheers');

const HONORIFIC = new RegExp(`(?<![\\p{L}])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Miss)\\.?[ \\t]{1,2}(${HONORIFIC_NAME})`, 'gu');
const LABELLED = new RegExp(
  `(?<![\\p{L}\\-])(?:(?:${COLON_LABELS})[ \\t]{0,2}:|(?:${BY_LABELS})[ \\t]by|[Dd]ear)[ \\t]{1,3}(${FULL_NAME})`,
  'gu',
);
const SIGNED_OFF = new RegExp(`(?<![\\p{L}])(?:${SIGN_OFFS}),?[ \\t]*\\r?\\n[ \\t]{0,8}(${FULL_NAME})`, 'gu');

/** Capitalised words that start or fill labels but are no name: "To: All Staff", "Owner: Platform Team". */
const NOT_NAME_WORDS = new Set(
  ('The All Team Teams Staff Support Sales Admin Administrator Admins Service Services Customer Customers Client Department Dept ' +
    'Office Group Inc Ltd Llc LLC Corp Corporation Company Foundation Software Systems System Project Committee Board Council ' +
    'Platform Engineering Security Operations Ops Build Release Bot Automation Dependabot Renovate GitHub Actions Jenkins ' +
    'Status Unassigned Unknown None Nobody Anonymous User Users Guest Guests Everyone Members Owners Maintainers Contributors ' +
    'Dear Hello Hi Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July ' +
    'August September October November December Street Road Avenue Lane Main North South East West New Old Open Closed ' +
    'Draft Final Review Pending Approved Rejected Yes No Not Total Subject Re Fwd Fw Please Thanks Thank Best Regards Kind')
    .split(' '),
);

function nameSpan(m: RegExpExecArray): PiiMatch | null {
  const name = m[1]!;
  const words = name.split(/[ \t]+/);
  if (words.some((w) => NOT_NAME_WORDS.has(w.replace(/\.$/, '')))) return null;
  if (words.every((w) => /^\p{Lu}\.$/u.test(w))) return null; // initials alone
  const start = m.index + m[0].length - name.length;
  return { type: 'PERSON', start, end: start + name.length };
}

/** Person names in the contexts listed in the file comment. */
export function detectPersons(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const regex of [HONORIFIC, LABELLED, SIGNED_OFF]) {
    for (const m of matchesOf(regex, text)) {
      const match = nameSpan(m);
      if (match) found.push(match);
    }
  }
  return found;
}
