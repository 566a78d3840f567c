import { Readable } from 'node:stream';
import fc from 'fast-check';
import { settleFiles, type SettlementFile } from '../../src/io/read-settlement-file';
import { InputTextDecoder, type TextEncodingName } from '../../src/io/text-decoding';
import { openSettlement } from '../../src/rules/calculate-settlement';
import { loadCatalog, settlementIssues } from '../support/settlement-fixtures';

/** 某医院 and 某超市 as GBK writes them (Chinese Excel's plain "CSV" save). */
const GBK: Readonly<Record<string, Buffer>> = { 某医院: Buffer.from('c4b3d2bdd4ba', 'hex'), 某超市: Buffer.from('c4b3b3accad0', 'hex') };

/** The text `chunks` decode to, written one by one, and the decoder's verdict. */
function decodeAll(chunks: readonly Buffer[], accepted: readonly TextEncodingName[] = ['utf-8', 'gb18030']): { text: string; decoder: InputTextDecoder } {
  const decoder = new InputTextDecoder(accepted);
  let text = '';
  for (const chunk of chunks) text += decoder.write(chunk);
  return { text: text + decoder.end(), decoder };
}

/** `bytes` cut at the given places. */
function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

describe('InputTextDecoder', () => {
  const gbkLines = Buffer.concat([Buffer.from('institution,sku\r\n'), GBK['某医院']!, Buffer.from(',BYK-H01\r\n'), GBK['某超市']!, Buffer.from(',BYK-L02\r\n')]);

  it('reads GBK as GB18030 and says so', () => {
    const { text, decoder } = decodeAll([gbkLines]);
    expect(text).toBe('institution,sku\r\n某医院,BYK-H01\r\n某超市,BYK-L02\r\n');
    expect(decoder.encoding).toBe('gb18030');
    expect(decoder.failure).toBeUndefined();
  });

  it('reads UTF-8 (with its BOM dropped) as UTF-8', () => {
    const { text, decoder } = decodeAll([Buffer.from('\ufeffinstitution\n某医院\n', 'utf8')]);
    expect(text).toBe('institution\n某医院\n');
    expect(decoder.encoding).toBe('utf-8');
  });

  it('gives the same text however the bytes are cut into chunks, in UTF-8 or GBK', () => {
    const utf8 = Buffer.from('a,b\n某医院,x\n\n"某超市\n多行",1\nlast 某', 'utf8');
    fc.assert(
      fc.property(fc.constantFrom(utf8, gbkLines), fc.array(fc.nat(), { maxLength: 8 }), (bytes, at) => {
        const whole = decodeAll([bytes]);
        const pieces = decodeAll(cut(bytes, at));
        expect(pieces.decoder.failure).toBeUndefined();
        expect(pieces.text).toBe(whole.text);
      }),
    );
  });

  /** Names as GBK writes them (hex from a GBK encoder). */
  const GBK_NAMES: Readonly<Record<string, string>> = {
    某医院: 'c4b3d2bdd4ba', 某超市: 'c4b3b3accad0', 华新乳业: 'bbaad0c2c8e9d2b5', 星云连锁超市: 'd0c7d4c6c1accbf8b3accad0', 北京协和医院: 'b1b1bea9d0adbacdd2bdd4ba',
    上海第一人民医院: 'c9cfbaa3b5dad2bbc8cbc3f1d2bdd4ba', 百益康: 'b0d9d2e6bfb5', 商会: 'c9ccbbe1', 张三: 'd5c5c8fd', '（测试）': 'a3a8b2e2cad4a3a9', 会员直销: 'bbe1d4b1d6b1cffa',
  };

  it.each(Object.entries(GBK_NAMES))('a line naming %s reads right in GBK and in UTF-8', (name, hex) => {
    const line = (bytes: Buffer) => Buffer.concat([Buffer.from('x,'), bytes, Buffer.from(',1\r\n')]);
    const gbk = decodeAll([line(Buffer.from(hex, 'hex'))]);
    expect([gbk.text, gbk.decoder.encoding]).toEqual([`x,${name},1\r\n`, 'gb18030']);
    const utf8 = decodeAll([line(Buffer.from(name, 'utf8'))]);
    expect([utf8.text, utf8.decoder.encoding]).toEqual([`x,${name},1\r\n`, 'utf-8']);
  });

  it.each([['Müller'], ['Café'], ['Straße'], ['Ñandú']])('UTF-8 Latin-1 letters (%s, whose bytes are GBK 汉字 too) read as UTF-8', (name) => {
    const { text, decoder } = decodeAll([Buffer.from(`${name},1\n`, 'utf8')]);
    expect([text, decoder.encoding]).toEqual([`${name},1\n`, 'utf-8']);
  });

  it('a BOM says UTF-8, even before text whose bytes GBK reads too (Łódź)', () => {
    const { text, decoder } = decodeAll([Buffer.from('\ufeffŁódź,1\n', 'utf8')]);
    expect([text, decoder.encoding]).toEqual(['Łódź,1\n', 'utf-8']);
  });

  it('refuses bytes that are text in neither encoding, handing on the lines before them', () => {
    // Latin-1 "Café," is no GBK: 0xE9 needs a second byte of 0x40–0xFE
    const { text, decoder } = decodeAll([Buffer.from('a\nb\n'), Buffer.from('Caf\xe9,1\nc\n', 'latin1')]);
    expect(text).toBe('a\nb\n');
    expect(decoder.failure).toMatch(/not UTF-8 or GB18030/);
  });

  it('refuses a file that changes encoding on the way, after the lines that were valid', () => {
    const { text, decoder } = decodeAll([Buffer.from('某医院\nx\n', 'utf8'), Buffer.concat([Buffer.from('y\n'), GBK['某超市']!, Buffer.from('\n')])]);
    expect(text).toBe('某医院\nx\ny\n');
    expect(decoder.encoding).toBe('utf-8');
    expect(decoder.failure).toMatch(/not valid UTF-8/);
  });

  it('reads only UTF-8 when only UTF-8 is accepted (NDJSON, or a charset declared)', () => {
    expect(decodeAll([gbkLines], ['utf-8']).decoder.failure).toMatch(/not UTF-8/);
  });

  it('refuses a file that ends inside a character', () => {
    const { decoder } = decodeAll([Buffer.from('a\n某', 'utf8').subarray(0, 4)], ['utf-8']);
    expect(decoder.failure).toMatch(/ends inside a character/);
  });
});

describe('settlement files in GBK', () => {
  const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
  const transactions = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice\r\nT1,2026-11-03,chamber-supply,CHAMBER,,,,BYK-H01,30,1094.80\r\n\r\n';
  const settle = (file: Omit<SettlementFile, 'stream'>, bytes: Buffer) => settleFiles(openSettlement(loadCatalog(), 'chamber-baiyikang', PERIOD), [{ ...file, stream: Readable.from([bytes]) }]);

  it('a GBK CSV is read with its Chinese names intact', async () => {
    const bytes = Buffer.concat([Buffer.from(`${transactions}institution,sku,date,quantity,unitPrice\r\n`), GBK['某医院']!, Buffer.from(',BYK-H01,2026-11-15,50,1030.40\r\n')]);
    const statement = await settle({ format: 'csv' }, bytes);
    expect(statement.priceGuarantee.map((breach) => breach.institution)).toEqual(['某医院']);
  });

  it('a CSV in neither encoding is an INVALID_ENCODING problem at its row, not garbled names', async () => {
    const bytes = Buffer.from(`${transactions}institution,sku,date,quantity,unitPrice\r\nCaf\xe9,BYK-H01,2026-11-15,50,1030.40\r\n`, 'latin1');
    expect(await settlementIssues(settle({ format: 'csv' }, bytes))).toEqual([['/rows/5', 'INVALID_ENCODING']]);
  });

  it('NDJSON is UTF-8 (RFC 8259): a GBK row is refused at its row', async () => {
    const line = (name: Buffer) => Buffer.concat([Buffer.from('{"institution":"'), name, Buffer.from('","sku":"BYK-H01","date":"2026-11-15","quantity":50,"unitPrice":"1030.40"}\n')]);
    const bytes = Buffer.concat([line(Buffer.from('某医院')), line(GBK['某超市']!)]);
    expect(await settlementIssues(settle({ format: 'ndjson' }, bytes))).toEqual([['/rows/2', 'INVALID_ENCODING']]);
  });
});
