import { describe, expect, it } from 'vitest';
import { confidenceOf, found, scan } from './pii-test-support.js';

describe('IP_ADDRESS', () => {
  it('finds IPv4 addresses', () => {
    expect(found('client_ip = 203.0.113.45 blocked', 'IP_ADDRESS')).toEqual(['203.0.113.45']);
    expect(found('from 10.218.6.131.', 'IP_ADDRESS')).toEqual(['10.218.6.131']);
  });
  it('finds IPv6 addresses, full, compressed and with an IPv4 tail', () => {
    expect(found('addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok', 'IP_ADDRESS')).toEqual(['2001:0db8:85a3:0000:0000:8a2e:0370:7334']);
    expect(found('host 2001:db8:85a3::8a2e:370:7334.', 'IP_ADDRESS')).toEqual(['2001:db8:85a3::8a2e:370:7334']);
    expect(found('mapped ::ffff:192.0.2.128 here', 'IP_ADDRESS')).toEqual(['::ffff:192.0.2.128']);
    expect(found('d80:e4b5:79da:6cf6:71f3:51f7:9161:c319', 'IP_ADDRESS')).toEqual(['d80:e4b5:79da:6cf6:71f3:51f7:9161:c319']);
  });
  it('short compressed forms need an address word', () => {
    expect(found('the ip address is fe80::1', 'IP_ADDRESS')).toEqual(['fe80::1']);
    expect(found('see fe80::1', 'IP_ADDRESS')).toEqual([]);
  });
  it('rejects invalid octets, leading zeros and longer dotted runs (versions, OIDs)', () => {
    for (const text of [
      'ip 256.1.1.1',
      'ip 192.168.1.300',
      'ip 01.02.03.04',
      'version 1.2.3.4.5',
      'oid 1.3.6.1.4.1.311',
      'at 12:30:45',
      'mac 00:1A:2B:3C:4D:5E',
      'std::vector<int>',
    ]) {
      expect(found(text, 'IP_ADDRESS'), text).toEqual([]);
    }
  });
  it('a version-like quad scores low; loopback is not personal', () => {
    expect(found('upgrade to version 1.2.3.4 now', 'IP_ADDRESS')).toEqual([]);
    expect(found('listen on 127.0.0.1', 'IP_ADDRESS')).toEqual([]);
  });
  it('address words raise the confidence', () => {
    expect(confidenceOf('server ip 203.0.113.45', 'IP_ADDRESS')).toBeGreaterThan(confidenceOf('see 203.0.113.45', 'IP_ADDRESS'));
  });
});

describe('URL', () => {
  it('finds links with a scheme or www', () => {
    expect(found('see https://www.example.com/a?b=1#c for more', 'URL')).toEqual(['https://www.example.com/a?b=1#c']);
    expect(found('visit www.example.org/page.', 'URL')).toEqual(['www.example.org/page']);
    expect(found('ftp://files.example.net/x.zip', 'URL')).toEqual(['ftp://files.example.net/x.zip']);
  });
  it('leaves out trailing punctuation and unmatched brackets', () => {
    expect(found('(see https://example.com/a_(b)).', 'URL')).toEqual(['https://example.com/a_(b)']);
    expect(found('[https://bing.com](https://bing.com)', 'URL')).toEqual(['https://bing.com', 'https://bing.com']);
  });
  it('bare domains, file names and "www." alone are not URLs', () => {
    for (const text of ['example.com', 'open report.pdf', 'www. is a prefix', 'http:// alone', 'see the www.', 'xhttps://a.b']) {
      expect(found(text, 'URL'), text).toEqual([]);
    }
  });
  it('benign prose has no finding', () => {
    expect(scan('The website was down for an hour, then the link worked again.')).toEqual([]);
  });
});
