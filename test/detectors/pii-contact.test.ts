import { describe, expect, it } from 'vitest';
import { createPiiDetector } from '../../src/detectors/pii-recognizers.js';
import { confidenceOf, found, piiPolicy, scan } from './pii-test-support.js';

describe('EMAIL_ADDRESS', () => {
  it('finds addresses, including plus tags, subdomains and IDN letters', () => {
    expect(found('Write to jane.doe+news@mail.example.co.uk today.', 'EMAIL_ADDRESS')).toEqual(['jane.doe+news@mail.example.co.uk']);
    expect(found('contact: JOSÉ@exämple.de', 'EMAIL_ADDRESS')).toEqual(['JOSÉ@exämple.de']);
    expect(found('a@b.io, c_d@e-f.org', 'EMAIL_ADDRESS')).toEqual(['a@b.io', 'c_d@e-f.org']);
  });
  it('excludes sentence punctuation around the address', () => {
    expect(found('Mail me (bob@example.com).', 'EMAIL_ADDRESS')).toEqual(['bob@example.com']);
    expect(found('...bob@example.com...', 'EMAIL_ADDRESS')).toEqual(['bob@example.com']);
  });
  it('rejects things that only look like addresses', () => {
    for (const text of [
      'user@localhost',
      'bob@example',
      'bob..smith@example.com',
      'bob.@example.com',
      'ping me @channel about it',
      'a@1.2.3.4',
      'price: 5 @ $3.50',
      'git clone https://user:ghp_token123@github.com/org/repo.git',
    ]) {
      expect(found(text, 'EMAIL_ADDRESS'), text).toEqual([]);
    }
  });
  it('benign text with the word "email" has no finding', () => {
    expect(scan('Please email me the report when you get a chance.')).toEqual([]);
  });
});

describe('PHONE_NUMBER', () => {
  it('finds formatted national numbers valid in the policy region', () => {
    expect(found('Reach me at (212) 736-5000 tomorrow.', 'PHONE_NUMBER')).toEqual(['(212) 736-5000']);
    expect(found('Our line is 212.736.5000', 'PHONE_NUMBER')).toEqual(['212.736.5000']);
  });
  it('includes the + and country code, an IDD prefix and an extension in the span', () => {
    expect(found('Office: +44 20 7946 0958', 'PHONE_NUMBER')).toEqual(['+44 20 7946 0958']);
    expect(found('Desk: +46 (0)8 928 571 38', 'PHONE_NUMBER')).toEqual(['+46 (0)8 928 571 38']);
    expect(found('call 001-212-736-5000 now', 'PHONE_NUMBER')).toEqual(['001-212-736-5000']);
    expect(found('Phone: 212-736-5000 x4587', 'PHONE_NUMBER')).toEqual(['212-736-5000 x4587']);
    expect(found('Phone: 212-736-5000x4587', 'PHONE_NUMBER')).toEqual(['212-736-5000x4587']);
  });
  it('a number libphonenumber cannot vouch for counts only with a phone word near it', () => {
    expect(found('Mobile: 61 51 81', 'PHONE_NUMBER')).toEqual(['61 51 81']);
    expect(found('12 34 56 78 office', 'PHONE_NUMBER')).toEqual(['12 34 56 78']);
    expect(found('The codes were 61 51 81 and nothing else.', 'PHONE_NUMBER')).toEqual([]);
    expect(confidenceOf('Mobile: 61 51 81', 'PHONE_NUMBER')).toBeGreaterThan(confidenceOf('codes 61 51 81', 'PHONE_NUMBER'));
  });
  it('national numbers of other regions count when the policy lists the region', () => {
    const gb = createPiiDetector(piiPolicy({ phoneRegions: ['US', 'GB'] }));
    const text = 'ring 020 7946 0958 please';
    const us = scan(text).filter((h) => h.entity === 'PHONE_NUMBER');
    const withGb = scan(text, 0.4, gb!).filter((h) => h.entity === 'PHONE_NUMBER');
    expect(us).toEqual([]);
    expect(withGb.map((h) => h.value)).toEqual(['020 7946 0958']);
  });
  it('does not read dates, times, versions, decimals, SSNs, cards or IPs as phones', () => {
    for (const text of [
      'Call me on 2024-03-15 09:30:00 please',
      'call me 15.03.2024',
      'Call back 12-25-2023',
      'phone firmware version 1.2.3.4.5.6.7',
      'call pi = 3.14159265',
      'phone: 123-45-6789',
      'phone 4111 1111 1111 1111',
      'call 192.168.100.200',
      'call 20/03/2023 17:18',
      'phone 1 2 3 4 5 6 7',
      'call 0000000000',
      'call 1,234,567',
      'token xoxb-47834520726-abc',
    ]) {
      expect(found(text, 'PHONE_NUMBER'), text).toEqual([]);
    }
  });
  it('does not read a house or unit number as a phone, even where the region calls it valid', () => {
    expect(found("I'd like to call a taxi to 14 3684 Court Street", 'PHONE_NUMBER')).toEqual([]);
    expect(found('Our office is at 9543 1819 St. John Street', 'PHONE_NUMBER')).toEqual([]);
    const de = createPiiDetector(piiPolicy({ phoneRegions: ['US', 'DE'] }))!;
    const phones = (text: string): string[] => scan(text, 0.4, de).filter((h) => h.entity === 'PHONE_NUMBER').map((h) => h.value);
    expect(phones('The restaurant is at 9816 214 Pavlou Street')).toEqual([]);
    expect(phones('Mrs. Yudina, Apt. 675 62314 Mellemvej')).toEqual([]);
    expect(phones('Tel. 030 1234567')).toEqual(['030 1234567']);
  });
  it('ordinary words after a phone number do not veto it', () => {
    expect(found('Call me at 212-736-5000 by the way', 'PHONE_NUMBER')).toEqual(['212-736-5000']);
    expect(found('call 212 736 5000 on the 1st', 'PHONE_NUMBER')).toEqual(['212 736 5000']);
  });
  it('benign text with phone words has no finding', () => {
    expect(scan('Call me when you can; my phone died and I lost 2 hours.')).toEqual([]);
    expect(scan('In 2023 the phone market grew 12 percent over 2022.')).toEqual([]);
  });
});
