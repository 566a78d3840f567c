import { postgresSkipped, startPostgres, type PostgresServer } from '../../src/bench/throwaway-postgres';

/** The tests' PostgreSQL: a throwaway cluster per test file (see src/bench/throwaway-postgres.ts). */
export { findPostgresBinDir, postgresSkipped, startPostgres, type PostgresServer } from '../../src/bench/throwaway-postgres';

/**
 * `describe` for tests that need PostgreSQL: one cluster for the block, started before its
 * tests and stopped after. With SUANPAN_SKIP_POSTGRES=1 the block is skipped; without the
 * binaries (and without that variable) its tests fail with a message that says what to install.
 */
export function describePostgres(name: string, body: (server: () => PostgresServer) => void): void {
  if (postgresSkipped()) {
    describe.skip(`${name} (SUANPAN_SKIP_POSTGRES=1)`, () => body(() => {
      throw new Error('skipped');
    }));
    return;
  }
  describe(name, () => {
    let server: PostgresServer | undefined;
    beforeAll(async () => {
      server = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    });
    body(() => {
      if (server === undefined) throw new Error('PostgreSQL did not start (see the error of beforeAll)');
      return server;
    });
  });
}
