/**
 * Decoders for two "token smuggling" encodings that are text-like rather than
 * byte-like: International Morse code and 8-bit binary groups. Pure functions; the
 * caller (encoded-runs.ts) finds the runs and bounds the work.
 */

const MORSE: Readonly<Record<string, string>> = {
  '.-': 'a', '-...': 'b', '-.-.': 'c', '-..': 'd', '.': 'e', '..-.': 'f', '--.': 'g', '....': 'h',
  '..': 'i', '.---': 'j', '-.-': 'k', '.-..': 'l', '--': 'm', '-.': 'n', '---': 'o', '.--.': 'p',
  '--.-': 'q', '.-.': 'r', '...': 's', '-': 't', '..-': 'u', '...-': 'v', '.--': 'w', '-..-': 'x',
  '-.--': 'y', '--..': 'z', '-----': '0', '.----': '1', '..---': '2', '...--': '3', '....-': '4',
  '.....': '5', '-....': '6', '--...': '7', '---..': '8', '----.': '9', '.-.-.-': '.', '--..--': ',',
  '..--..': '?', '.----.': "'", '-.-.--': '!', '-..-.': '/', '-.--.': '(', '-.--.-': ')', '---...': ':',
  '-.-.-.': ';', '-...-': '=', '.-.-.': '+', '-....-': '-', '.-..-.': '"', '.--.-.': '@',
};

const MORSE_WORD_BREAK = /\s*[/|]\s*|\s{2,}/;

/**
 * Decodes Morse code: letters separated by single spaces, words by "/", "|" or two or
 * more spaces. Returns null when more than a tenth of the codes are not Morse letters.
 */
export function decodeMorse(run: string): string | null {
  const words: string[] = [];
  let codes = 0;
  let unknown = 0;
  for (const word of run.trim().split(MORSE_WORD_BREAK)) {
    let out = '';
    for (const code of word.split(' ')) {
      if (code === '') continue;
      codes++;
      const ch = MORSE[code];
      if (ch === undefined) unknown++;
      else out += ch;
    }
    if (out !== '') words.push(out);
  }
  if (codes === 0 || unknown * 10 > codes) return null;
  return words.join(' ');
}

/** Decodes groups of eight binary digits (separators already removed) into bytes. */
export function decodeBinary(bits: string, maxBytes: number): Uint8Array {
  const n = Math.min(Math.floor(bits.length / 8), maxBytes);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number.parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  return out;
}
