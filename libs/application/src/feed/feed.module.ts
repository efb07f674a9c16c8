import { Module } from '@nestjs/common';
import { AnalystQueriesModule } from '../analyst-queries.module';
import { StanceLedgerModule } from '../stance-ledger.module';
import { ChangeFeed } from './change-feed';
import { FeedChanges } from './feed-changes';
import { FollowFeedController } from './follow-feed.controller';

/** GET /feed, and the changes it reads, which the webhooks share. */
@Module({
  imports: [StanceLedgerModule, AnalystQueriesModule],
  controllers: [FollowFeedController],
  providers: [FeedChanges, ChangeFeed],
  exports: [FeedChanges, ChangeFeed],
})
export class FeedModule {}
