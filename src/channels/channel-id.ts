import { NotFoundError } from "../errors.ts";
import { isUuid } from "../validation/ids.ts";

/** Channel ids are UUIDs: any other text names no channel. */
export function assertChannelId(id: string): void {
  if (!isUuid(id)) throw new NotFoundError("channel", id);
}
