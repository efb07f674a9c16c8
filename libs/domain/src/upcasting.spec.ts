import { UnknownEventTypeError, UnsupportedSchemaVersionError, upcast, type UpcasterRegistry } from './upcasting';

describe('upcast', () => {
  const stored = { type: 'TopicDefined', schemaVersion: 1, data: { topicId: 'x', title: 'X', description: 'd' } };

  it('passes current events through unchanged', () => {
    expect(upcast(stored)).toEqual({ type: 'TopicDefined', data: stored.data });
  });

  it('lifts an old version through every step of the chain, in order', () => {
    const upcasters: UpcasterRegistry = {
      TopicDefined: {
        1: (data) => ({ ...data, name: data.title }),
        2: ({ name, ...data }) => ({ ...data, title: String(name).toUpperCase() }),
      },
    };
    expect(upcast(stored, upcasters, { TopicDefined: 3 })).toEqual({
      type: 'TopicDefined',
      data: { topicId: 'x', title: 'X', description: 'd' },
    });
    expect(upcast({ ...stored, data: { topicId: 'x', title: 'lower', description: 'd' } }, upcasters, { TopicDefined: 3 }).data).toMatchObject({ title: 'LOWER' });
  });

  it('refuses a version with no path to the current one', () => {
    expect(() => upcast(stored, {}, { TopicDefined: 2 })).toThrow(UnsupportedSchemaVersionError);
    expect(() => upcast({ ...stored, schemaVersion: 7 })).toThrow(UnsupportedSchemaVersionError);
  });

  it('refuses an unknown event type', () => {
    expect(() => upcast({ ...stored, type: 'StanceWhispered' })).toThrow(UnknownEventTypeError);
  });
});
