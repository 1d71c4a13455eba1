import { z } from "zod";
import { NotFoundError } from "../errors.ts";

const uuid = z.guid();

/**
 * Channel ids are UUIDs. Any other text names no channel, and must not reach
 * a uuid column, where PostgreSQL would reject it with an error.
 */
export function assertChannelId(id: string): void {
  if (!uuid.safeParse(id).success) throw new NotFoundError("channel", id);
}
