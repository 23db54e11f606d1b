/**
 * Deterministic benchmark content: benign business prose with a little PII (emails, phone
 * numbers, names), the shape of real prompts. The same size always gives the same text,
 * so runs on different days and machines scan identical bytes.
 */

const SENTENCES = [
  'Thanks for the update on the quarterly planning meeting; the revised agenda looks good to me.',
  'Could you summarise the main points of the attached report for the leadership team?',
  'The shipment left the warehouse on Tuesday and should arrive before the end of the week.',
  'Please draft a polite reply that confirms the new delivery date and apologises for the delay.',
  'Our customer satisfaction scores improved by four points after the support hours were extended.',
  'I would like a short paragraph explaining the difference between fixed and variable costs.',
  'The design review is scheduled for Thursday afternoon in the large meeting room on the third floor.',
  'Remember to include the budget figures from last year so the comparison is easy to follow.',
  'Translate the following product description into plain language for a general audience.',
  'The team agreed to move the release by one sprint to finish the accessibility improvements.',
  'Write three bullet points that describe the benefits of the new onboarding process.',
  'The invoice total matches the purchase order, so the payment can be approved this week.',
  'Our analysts expect demand to stay stable through the summer, with a small rise in September.',
  'Can you suggest a friendly subject line for the newsletter about the community garden project?',
  'The hotel confirmed the booking for the conference speakers, including late check-out on Friday.',
  'Please check whether the meeting notes mention any open questions about the data migration.',
];

const NAMES = ['Maria Gonzalez', 'James Whitaker', 'Aisha Khan', 'Tomasz Nowak', 'Emily Chen', 'David Okafor'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net'];

/** mulberry32: a tiny seeded PRNG (deterministic across platforms). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], rnd: () => number): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

function piiSentence(rnd: () => number): string {
  const name = pick(NAMES, rnd);
  const [first = 'user', last = 'name'] = name.toLowerCase().split(' ');
  const email = `${first}.${last}@${pick(DOMAINS, rnd)}`;
  const phone = `(415) 555-0${100 + Math.floor(rnd() * 899)}`;
  return rnd() < 0.5
    ? `You can reach ${name} at ${email} if anything in the contract is unclear.`
    : `For urgent questions call ${name} on ${phone} during office hours.`;
}

/**
 * Prose of exactly `bytes` UTF-8 bytes (ASCII, so also that many characters), with about
 * one PII sentence per 400 bytes. Cut at a word boundary and padded with spaces.
 */
export function benchContent(bytes: number, seed = 42): string {
  const rnd = prng(seed + bytes);
  const parts: string[] = [];
  let length = 0;
  let sincepii = 0;
  while (length < bytes) {
    const s = sincepii > 400 && rnd() < 0.6 ? piiSentence(rnd) : pick(SENTENCES, rnd);
    sincepii = s.includes('@') || s.includes('555-') ? 0 : sincepii + s.length + 1;
    parts.push(s);
    length += s.length + 1;
  }
  let text = parts.join(' ');
  if (text.length > bytes) {
    const cut = text.lastIndexOf(' ', bytes);
    text = text.slice(0, cut > 0 ? cut : bytes);
  }
  return text.padEnd(bytes, ' ');
}
