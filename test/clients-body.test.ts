/**
 * Body decoding without a server: byte-order marks, charsets, the UTF-8 to
 * Windows-1252 fallback, and the advice given for bodies that are not JSON.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.js';
import { decodeBody, parseJsonBody } from '../src/http/body.js';
import { utf16be, utf16le, utf8bom } from './fixtures/raw/clients.js';

const text = '{"Hostnames":["München €"]}';
const cp1252 = Buffer.concat([
  Buffer.from('{"Hostnames":["M'),
  Buffer.from([0xfc]),
  Buffer.from('nchen '),
  Buffer.from([0x80]),
  Buffer.from('"]}'),
]);

describe('decodeBody', () => {
  it.each([
    ['UTF-8', Buffer.from(text), ''],
    ['UTF-8 with BOM', utf8bom(text), ''],
    ['UTF-16LE with BOM', utf16le(text), ''],
    ['UTF-16BE with BOM', utf16be(text), 'utf-8'],
    ['UTF-16LE without BOM', utf16le(text, false), ''],
    ['UTF-16BE without BOM', utf16le(text, false).swap16(), 'utf-16'],
    ['UTF-16 declared as unicode', utf16le(text, false), 'unicode'],
    ['Windows-1252 declared', cp1252, 'windows-1252'],
    ['Windows-1252 undeclared', cp1252, ''],
  ])('reads %s', (_name, raw, charset) => {
    expect(decodeBody(raw, charset)).toBe(text);
  });

  it('reads ISO-8859-1 when declared, byte for byte', () => {
    const raw = Buffer.from('{"Hostnames":["Zürich"]}', 'latin1');

    expect(decodeBody(raw, 'iso-8859-1')).toBe('{"Hostnames":["Zürich"]}');
  });

  it.each([
    [
      'not UTF-8 although declared',
      Buffer.from([0x7b, 0xfc, 0x7d]),
      'utf-8',
      'invalid_encoding',
    ],
    ['an unknown charset', Buffer.from('{}'), 'ebcdic', 'unsupported_charset'],
  ])('refuses a body %s', (_name, raw, charset, code) => {
    expect(() => decodeBody(raw, charset)).toThrow(
      expect.objectContaining({ code }),
    );
  });
});

describe('parseJsonBody', () => {
  function problem(body: string): ApiError {
    try {
      parseJsonBody(Buffer.from(body));
    } catch (error) {
      return error as ApiError;
    }
    throw new Error(`parsed: ${body}`);
  }

  it('treats whitespace as no body', () => {
    expect(parseJsonBody(Buffer.from(' \r\n\t'))).toBeUndefined();
  });

  it('finds a property given twice at any depth, also spelled with escapes', () => {
    expect(problem('{"a":{"b":1,"\\u0062":2}}').message).toMatch(
      /"b" is given twice/,
    );
  });

  it('allows the same name in sibling objects', () => {
    expect(parseJsonBody(Buffer.from('[{"a":1},{"a":2}]'))).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });

  it('is not misled by quotes, brackets and colons inside strings', () => {
    const body = '{"a":"x\\" , \\"a\\": [{","b":"\\\\","c":"]}:"}';

    expect(parseJsonBody(Buffer.from(body))).toEqual({
      a: 'x" , "a": [{',
      b: '\\',
      c: ']}:',
    });
  });

  it.each([
    ['{"a":1} // note', /no comments/],
    ['{"a":[1,]}', /comma before the closing/],
    ["{'a':1}", /not single quotes/],
    ['{a:[PC01]}', /--data-binary @body.json/],
    ['{"a":', /not valid JSON/],
  ])('explains %s', (body, detail) => {
    const error = problem(body);

    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(detail);
  });

  it.each(['Hostnames=PC01', 'Hostnames=PC01&Computer_Idns=10', 'a[]=1&b='])(
    'calls %s a form body',
    (body) => {
      expect(problem(body).code).toBe('form_body');
    },
  );
});
