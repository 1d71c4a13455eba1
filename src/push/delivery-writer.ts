import type { PrismaClient, PushDelivery } from "../db/generated/prisma/client.ts";
import { insertDeliveries } from "./deliveries.ts";

const BATCH = 1000;

/**
 * Writes deliveries while the sends go on, a batch at a time and one batch
 * after the other: the database works while the providers answer, instead
 * of after the last of them.
 */
export class DeliveryWriter {
  private pending: PushDelivery[] = [];
  private written: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly prisma: PrismaClient) {}

  add(delivery: PushDelivery): void {
    this.pending.push(delivery);
    if (this.pending.length >= BATCH) this.writePending();
  }

  private writePending(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    // Caught here, so that a failure waits for flush() instead of going unhandled.
    this.written = this.written.then(() =>
      insertDeliveries(this.prisma, batch).catch((error: unknown) => {
        this.failure ??= error;
      }),
    );
  }

  /** Resolves once every delivery added is written; rejects with the first write that failed. */
  async flush(): Promise<void> {
    this.writePending();
    await this.written;
    if (this.failure !== undefined) throw this.failure;
  }
}
