import { Module } from '@nestjs/common';
import { FeedModule } from '../feed/feed.module';
import { StanceLedgerModule } from '../stance-ledger.module';
import { WebhookDeliverer } from './webhook-deliverer';
import { Webhooks } from './webhooks';
import { WebhooksController } from './webhooks.controller';

/** /webhooks, and the deliverer pushing the feed's changes to the receivers. */
@Module({
  imports: [StanceLedgerModule, FeedModule],
  controllers: [WebhooksController],
  providers: [Webhooks, WebhookDeliverer],
  exports: [Webhooks, WebhookDeliverer],
})
export class WebhooksModule {}
