/**
 * Person-name detector, deliberately conservative: a name is only taken where its context
 * says it is one — after an honorific ("Mr. John Smith", "Dr. Okafor"), after a label
 * ("Name: Jane Doe", "From: Jane Doe <…>", "Signed-off-by: Jane Doe"), after a salutation or
 * sign-off ("Dear Jane Doe", "Regards,\nJane Doe") or after "written/approved/… by" — or,
 * in running prose, where a common given name from {@link GIVEN_NAMES} is followed by a
 * capitalised surname ("John Smith", "Priya Natarajan"). Other names in prose are not found
 * (see docs/pipeline.md for why no NLP library is used). Only the name is replaced; the
 * honorific or label stays ("Dr. [PERSON]").
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

/**
 * Common given names that are hardly ever anything else in technical text. Names that are
 * also words, places, products or languages (Will, May, Mark, Grant, Chase, Jordan, Sydney,
 * Ruby, Julia, Ada, Crystal, Max, Jack, …) are left out on purpose.
 */
const GIVEN_NAMES: ReadonlySet<string> = new Set(
  (
    'James John Robert Michael David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Donald Steven ' +
  'Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric ' +
  'Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Dennis Jerry Tyler Aaron ' +
  'Henry Adam Douglas Nathan Peter Zachary Kyle Walter Harold Jeremy Ethan Carl Keith Roger Gerald Christian Sean ' +
  'Arthur Noah Lawrence Jesse Bryan Bruce Albert Gabriel Alan Juan Wayne Ralph Randy Eugene Vincent Russell Elijah ' +
  'Louis Philip Johnny Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty ' +
  'Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca ' +
  'Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine ' +
  'Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce Kelly Christina ' +
  'Lauren Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Sara Frances Kathryn ' +
  'Janice Abigail Alice Judy Sophia Grace Denise Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie ' +
  'Charlotte Marie Kayla Alexis Jane Fiona Ingrid Lena Priya Ananya Rahul Arjun Anil Sanjay Deepak Kenji Hiroshi ' +
  'Yuki Takeshi Aisha Fatima Omar Ahmed Mohammed Muhammad Hassan Noor Olga Ivan Dmitri Sergei Natasha Hans Klaus ' +
  'Lukas Sophie Pierre Luca Giulia Marco Giovanni Francesca Carlos Miguel Javier Sofia Lucia Pedro Ana Elena ' +
  'Tomás Alejandro Mateo Camila Valentina Lars Sven Astrid Freya Mei Wei Jun Hyun Minjun Olusegun Chinedu Amara ' +
  'Kwame Oluwaseun Bob Jim Tom Tim Greg Ben Dan Jon Steve Mike Chris Matt Kate Katie Lucy Ellen'
  ).split(' '),
);

/** Words after a given name that are no surname: "John And", "Maria Is". */
const NOT_SURNAME_WORDS = new Set(
  ('And Or But For Nor So Yet If In On At To By Of As Is Was Are Were Has Had Have Will Can Could Should Would Might ' +
    'Must Said Says Wrote Asked Added From With Without About After Before When While Who What Where Why How This That ' +
    'Mr Mrs Ms Mx Dr Prof Sir')
    .split(' '),
);

/**
 * A capitalised word (kept only when it is in {@link GIVEN_NAMES}: a Set lookup, not a
 * 300-way alternation tried at every position), an optional initial, then one surname word:
 * "John Smith", "John A. Smith", "Ludwig van Beethoven".
 */
const GIVEN_THEN_SURNAME = new RegExp(
  // Only the first word is consumed (the rest is a lookahead), so "Yesterday Fiona Gallagher"
  // still tries "Fiona" after "Yesterday" failed.
  `(?<![\\p{L}\\p{N}_'’.@/-])(\\p{Lu}\\p{Ll}{1,20})(?=((?:[ \\t]\\p{Lu}\\.)?[ \\t](?:${PARTICLE}[ \\t]){0,2}${WORD})(?![\\p{L}\\p{N}_@(]|\\.[\\p{L}]))`,
  'gu',
);

function proseName(m: RegExpExecArray): PiiMatch | null {
  const name = m[1]! + m[2]!;
  const words = name.split(/[ \t]+/);
  const surname = words[words.length - 1]!;
  if (!GIVEN_NAMES.has(m[1]!) || NOT_SURNAME_WORDS.has(surname) || NOT_NAME_WORDS.has(surname) || /^\p{Lu}\.$/u.test(surname)) return null;
  return { type: 'PERSON', start: m.index, end: m.index + name.length };
}

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
  for (const m of matchesOf(GIVEN_THEN_SURNAME, text)) {
    const match = proseName(m);
    if (match) found.push(match);
  }
  return found;
}
