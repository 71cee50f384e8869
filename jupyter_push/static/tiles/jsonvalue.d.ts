/** A pushed value, as JSON parses it (types only, for the checked JSDoc of the tile modules). */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };
export type JSONObject = { [key: string]: JSONValue };
