import { createHmac, randomBytes } from 'node:crypto';
import { newWebhookSecret, openSecret, parseSecretKey, sealSecret, signatureOf } from './secret-box';

describe('webhook secrets', () => {
  const key = randomBytes(32);
  const id = '5a0e1c9e-8d51-4b39-9f0d-6b2a3f1d7c11';

  it('seals a secret so that only the same key and webhook id open it', () => {
    const secret = newWebhookSecret();
    const sealed = sealSecret(key, id, secret);
    expect(sealed.toString('latin1')).not.toContain(secret);
    expect(openSecret(key, id, sealed)).toBe(secret);
    expect(() => openSecret(randomBytes(32), id, sealed)).toThrow();
    expect(() => openSecret(key, 'c4b1f3a8-2e0d-4d8e-9a51-0f4b6e2d9c33', sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => openSecret(key, id, tampered)).toThrow();
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 of the secret', () => {
    const body = '{"changes":[]}';
    expect(signatureOf('whsec_x', 1767960000, body)).toBe(`sha256=${createHmac('sha256', 'whsec_x').update(`1767960000.${body}`).digest('hex')}`);
  });

  it('reads WEBHOOK_SECRET_KEY as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(() => parseSecretKey('too short')).toThrow(/32 bytes/);
  });
});
