import { readFileSync } from 'node:fs';
const rows = readFileSync('/work/shared/data/injection.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string);
const texts: string[] = [];
for (const r of rows) { if (r.length >= 1000) texts.push(r.slice(0, 1000)); if (texts.length>=500) break; }
function time(name: string, f: (t: string)=>unknown) {
  for (let k=0;k<2;k++) for (const t of texts) f(t);
  const t0 = performance.now(); for (let k=0;k<5;k++) for (const t of texts) f(t);
  console.log(name.padEnd(20), ((performance.now()-t0)/(5*texts.length)*1000).toFixed(1), 'us/1KB');
}
const res: Record<string, RegExp> = {
ROLE_TAG: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|assistant|user)>|^[ \t]*(?:#+[ \t]*)?(?:system|assistant|developer|user|human)[ \t]*:/gim,
DIALOGUE_TURN : /^[ \t]*(?:q|a|user|assistant|human|ai|bot|question|answer)[ \t]*:/gim,
WORD : /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’]*/gu,
WORDASCII : /[a-z0-9][a-z0-9']*/gi,
OVERRIDE: /\b(?:ignore|disregard|forget|override|bypass|skip|neglect|overlook)\b[^.!?\n]{0,40}\b(?:previous|prior|above|earlier|preceding|all|any|your|system|original|initial)\b[^.!?\n]{0,30}\b(?:instructions?|rules?|prompts?|guidelines?|directions?|commands?|context|text|messages?)\b/gi,
DELIMITED : /```|"""|'''|<\/?[a-z_]{2,20}>|\{\{|\}\}|\[\[|\]\]|-{5,}|={5,}|#{3,}/gi,
QUOTE : /["“”«»'‘’`]/g,
TABLE_LINE : /^\s*\|.*\|\s*$/gm,
EMAIL_HEADER : /^(?:subject|from|to|cc|date|received date|email_from)\s*:/gim,
INVISIBLE : /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\u{e0000}-\u{e007f}]/gu,
ENCODED_RUN : /[A-Za-z0-9+/]{40,}={0,2}|(?:[0-9a-fA-F]{2}[\s:]?){24,}/g,
SPACED_LETTERS : /(?:^|\s)(?:\p{L}[ .\-_*]){4,}\p{L}(?=\s|$)/gu,
};
for (const [k, re] of Object.entries(res)) time(k, t => { re.lastIndex=0; let n=0; while (re.exec(t)) n++; return n; });
time('lower', t => t.toLowerCase());
time('split', t => t.toLowerCase().split(/[.!?。！？।\n]+/u));
time('match words', t => t.toLowerCase().match(res.WORD!));
const hs = new Int32Array(5000);
time('sort3000', t => { for (let i=0;i<3000;i++) hs[i]=(Math.imul(i+t.length, 0x9e3779b1)) & 0x3ffff; hs.subarray(0,3000).sort(); });
time('hashonly', t => { let h=0; for (let i=0;i<t.length;i++){ let x=0x811c9dc5; for(let n=0;n<5;n++){ x=Math.imul(x^t.charCodeAt(i+n),0x01000193); if(n>=2) hs[(i*3+n)%5000]=x;} } return h; });
