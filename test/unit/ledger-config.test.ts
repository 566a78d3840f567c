import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('ledger configuration', () => {
  it('keeps the ledger in SQLite under the data directory by default', () => {
    const config = loadConfig({ SUANPAN_DATA_DIR: 'var/suanpan' });
    expect([config.dataDir, config.databaseUrl]).toEqual([path.resolve('var/suanpan'), undefined]);
  });

  it('takes a postgres:// URL', () => {
    expect(loadConfig({ SUANPAN_DATABASE_URL: 'postgres://ledger:secret@db:5432/suanpan' }).databaseUrl).toBe('postgres://ledger:secret@db:5432/suanpan');
  });

  it.each(['mysql://db/x', 'postgres//db', 'db:5432'])('refuses %s with a message that never echoes the URL', (url) => {
    let error: unknown;
    try {
      loadConfig({ SUANPAN_DATABASE_URL: url });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^SUANPAN_DATABASE_URL: must be a postgres:\/\//)]);
    expect((error as ConfigError).message).not.toContain(url);
  });

  it('refuses an empty data directory', () => {
    expect(() => loadConfig({ SUANPAN_DATA_DIR: '' })).toThrow(/SUANPAN_DATA_DIR/);
  });
});
