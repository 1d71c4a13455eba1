/** A JSON object as the JSONObject scalar carries it (properties, settings, devices). */
export type JsonObject = { [key: string]: unknown };
