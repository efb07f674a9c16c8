import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type Answer, ofKnownTopic, shaped, stanceBody, type Timeline } from '../answers/answer';
import { AnswerCache } from '../answers/answer-cache';
import { GetTimelineQuery } from './get-timeline.query';

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery> {
  constructor(private readonly answers: AnswerCache) {}

  execute({ country, topicId, options }: GetTimelineQuery): Promise<Answer<Timeline>> {
    const key = `timeline ${country} ${topicId} ${options.from ?? ''} ${options.to ?? ''} ${options.includeRetracted}`;
    return this.answers.answer(key, options, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.timeline(country, topicId, options)), (entries) => ({
        entries: entries.map((entry) => ({ ...stanceBody(entry), quote: entry.source.quote })),
      })),
    );
  }
}
