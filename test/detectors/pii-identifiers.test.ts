import { describe, expect, it } from 'vitest';
import { confidenceOf, found, scan } from './pii-test-support.js';

describe('US_SSN', () => {
  it('finds dashed SSNs on their own and spaced or bare ones with an SSN word', () => {
    expect(found('ref 536-22-8046 attached', 'US_SSN')).toEqual(['536-22-8046']);
    expect(found('SSN: 536 22 8046', 'US_SSN')).toEqual(['536 22 8046']);
    expect(found('my social security number is 536228046', 'US_SSN')).toEqual(['536228046']);
  });
  it('bare nine digits without an SSN word are not an SSN', () => {
    expect(found('ticket 536228046 closed', 'US_SSN')).toEqual([]);
  });
  it('applies the SSA issuing rules and drops published example numbers', () => {
    for (const ssn of ['000-12-3456', '666-12-3456', '912-34-5678', '536-00-8046', '536-22-0000', '078-05-1120', '123-45-6789', '111-11-1111']) {
      expect(found(`SSN ${ssn}`, 'US_SSN'), ssn).toEqual([]);
    }
  });
  it('mismatched separators or a longer dashed run are not an SSN', () => {
    expect(found('SSN 536-22 8046', 'US_SSN')).toEqual([]);
    expect(found('part 1-536-22-8046-7', 'US_SSN')).toEqual([]);
  });
  it('an SSN word raises the confidence of a dashed SSN', () => {
    expect(confidenceOf('SSN 536-22-8046', 'US_SSN')).toBeGreaterThan(confidenceOf('ref 536-22-8046', 'US_SSN'));
  });
  it('spaced digits inside a street address are not an SSN', () => {
    expect(found('Suite 680 36 4022 Oakridge Lane', 'US_SSN')).toEqual([]);
  });
});

describe('US_ITIN', () => {
  it('finds ITINs (area 9, group in the ITIN ranges)', () => {
    expect(found('ITIN 912-70-1234', 'US_ITIN')).toEqual(['912-70-1234']);
    expect(found('taxpayer id 912701234', 'US_ITIN')).toEqual(['912701234']);
  });
  it('a 9xx number outside the ITIN groups is neither ITIN nor SSN', () => {
    expect(scan('ITIN 912-45-1234').filter((h) => h.entity === 'US_ITIN' || h.entity === 'US_SSN')).toEqual([]);
  });
});

describe('US_PASSPORT', () => {
  it('needs a passport word', () => {
    expect(found('passport number 340020013', 'US_PASSPORT')).toEqual(['340020013']);
    expect(found('Passport: A12345678', 'US_PASSPORT')).toEqual(['A12345678']);
    expect(found('code A12345678 applied', 'US_PASSPORT')).toEqual([]);
  });
});

describe('US_DRIVER_LICENSE', () => {
  it('finds state formats near a license word', () => {
    expect(found("My driver's license number is A1234567", 'US_DRIVER_LICENSE')).toEqual(['A1234567']);
    expect(found('DL LH329609T', 'US_DRIVER_LICENSE')).toEqual(['LH329609T']);
    expect(found('driver license: 425700624', 'US_DRIVER_LICENSE')).toEqual(['425700624']);
    expect(found('licence no. S123-456-78-901-0', 'US_DRIVER_LICENSE')).toEqual(['S123-456-78-901-0']);
  });
  it('the same shapes without a license word are not reported', () => {
    expect(scan('Part A1234567 is in aisle 425700624.')).toEqual([]);
  });
});

describe('UK_NHS', () => {
  it('finds mod-11 valid NHS numbers near a health word', () => {
    expect(found('NHS number 943 476 5919', 'UK_NHS')).toEqual(['943 476 5919']);
    expect(found('patient 9434765919', 'UK_NHS')).toEqual(['9434765919']);
  });
  it('drops a failed check digit, and valid numbers without a health word stay below the threshold', () => {
    expect(found('NHS number 943 476 5918', 'UK_NHS')).toEqual([]);
    expect(found('reference 943 476 5919', 'UK_NHS')).toEqual([]);
    expect(found('NHS number 943 476-5919', 'UK_NHS')).toEqual([]);
  });
});

describe('MEDICAL_LICENSE (DEA) and AU_TFN', () => {
  it('DEA numbers with a valid check digit', () => {
    expect(found('DEA AB1234563', 'MEDICAL_LICENSE')).toEqual(['AB1234563']);
    expect(found('DEA AB1234567', 'MEDICAL_LICENSE')).toEqual([]);
    expect(found('DEA QB1234563', 'MEDICAL_LICENSE')).toEqual([]); // Q is not a registrant type
  });
  it('tax file numbers with a valid check need a tax word', () => {
    expect(found('my TFN is 123 456 782', 'AU_TFN')).toEqual(['123 456 782']);
    expect(found('my TFN is 123 456 789', 'AU_TFN')).toEqual([]);
    expect(found('room 123456782', 'AU_TFN')).toEqual([]);
  });
});

describe('benign text with identifier words', () => {
  it('has no finding', () => {
    for (const text of [
      'Social security reform was debated for 3 hours in 2019.',
      'Renew your passport at least 6 months before travel.',
      'The bank account was opened in 1998 with 250 dollars.',
      'Bring your driver license and 2 forms of ID.',
      'NHS waiting times rose 12 percent.',
    ]) {
      expect(scan(text), text).toEqual([]);
    }
  });
});
