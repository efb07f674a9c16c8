import { startTestApp, type TestApp } from '../../../test/support/test-app';

describe('The OpenAPI description', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('documents every endpoint in OpenAPI, at /docs-json and /docs', async () => {
    const { body } = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(body.paths).sort()).toEqual([
      '/admin/keys',
      '/admin/keys/{id}',
      '/audit/events',
      '/audit/integrity',
      '/audit/stances/{eventId}',
      '/audit/streams/{stream}',
      '/countries/{code}/stances',
      '/countries/{code}/stances/{eventId}/corrections',
      '/countries/{code}/stances/{eventId}/retractions',
      '/countries/{code}/stances/{topicId}',
      '/countries/{code}/timeline',
      '/feed',
      '/health',
      '/health/live',
      '/health/ready',
      '/me',
      '/metrics',
      '/topics',
      '/topics/{topicId}',
      '/topics/{topicId}/shifts',
      '/topics/{topicId}/stances',
      '/webhooks',
      '/webhooks/{id}',
      '/webhooks/{id}/deliveries',
      '/webhooks/{id}/resume',
    ]);
    expect(body.paths['/topics/{topicId}/shifts'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'knownAt', 'minPosition']),
    );
    const ui = await t.http().get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
  });
});
