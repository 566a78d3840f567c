import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config';

/**
 * What the issue asks of the container and the deployment, checked on the files themselves
 * (the linters check style; these check our requirements). scripts/check-dockerfile.sh builds
 * and runs the image for real.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

describe('Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const instructions = dockerfile.getInstructions().map((i) => ({ keyword: i.getKeyword(), args: i.getRawArgumentsContent() ?? '' }));
  const froms = dockerfile.getFROMs();
  const runtimeStart = instructions.findIndex((i, index) => i.keyword === 'FROM' && index > 0 && instructions.slice(0, index).some((p) => p.keyword === 'FROM'));
  const runtime = instructions.slice(runtimeStart);

  it('is multi-stage on a Node.js LTS slim image', () => {
    expect(froms).toHaveLength(2);
    for (const from of froms) expect(from.getImageTag()).toMatch(/^(20|22|24)-slim$/);
  });

  it('installs with npm ci, builds, then prunes dev dependencies', () => {
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const ci = runs.findIndex((r) => /npm ci\b/.test(r));
    const build = runs.findIndex((r) => /npm run build/.test(r));
    const prune = runs.findIndex((r) => /npm prune --omit=dev/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThanOrEqual(ci);
    expect(prune).toBeGreaterThanOrEqual(build);
  });

  it('runs as a non-root user under tini, with a HEALTHCHECK on /livez that needs no curl', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').pop();
    expect(user?.args).toMatch(/^(node|[1-9]\d*)$/);
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toMatch(/tini/);
    const healthcheck = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(healthcheck).toContain('/livez');
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(runtime.find((i) => i.keyword === 'CMD')?.args).toContain('dist/server.js');
  });

  it('has a .dockerignore that keeps node_modules, dist, .git and secrets out of the context', () => {
    const rules = read('.dockerignore').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(rules[0]).toBe('**');
    expect(rules.filter((r) => r.startsWith('!'))).not.toEqual(expect.arrayContaining([expect.stringMatching(/node_modules|dist|\.git|\.env|npmrc/)]));
  });
});

describe('deploy/kubernetes.yaml', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes.yaml')).map((d) => d.toJS() as Record<string, any>);
  const byKind = (kind: string): Record<string, any> => docs.find((d) => d['kind'] === kind)!;
  const deployment = byKind('Deployment');
  const container = deployment['spec'].template.spec.containers[0];
  const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

  it('has a Deployment, a Service, a HorizontalPodAutoscaler and a PodDisruptionBudget', () => {
    expect(docs.map((d) => d['kind'])).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
  });

  it('probes /readyz and /livez on the container port and requests resources', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(container.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: Number(env['PORT']) })]);
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
  });

  it('configures the service with values the service accepts, and a grace period longer than the shutdown bound', () => {
    const config = loadConfig(env, () => 'key-for-the-manifest-test=partner-a');
    expect(config.shutdownDrainMs).toBeGreaterThan(0);
    expect(deployment['spec'].template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.shutdownTimeoutMs);
  });

  it('routes the Service and scales the Deployment it selects', () => {
    const labels = deployment['spec'].template.metadata.labels;
    expect(byKind('Service')['spec'].selector).toEqual(labels);
    expect(byKind('Service')['spec'].ports[0].targetPort).toBe('http');
    const hpa = byKind('HorizontalPodAutoscaler')['spec'];
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment['metadata'].name });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    expect(deployment['spec'].template.spec.securityContext.runAsNonRoot).toBe(true);
  });
});
