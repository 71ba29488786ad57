import { APPLY_EVENT_LUA } from "./apply-event-lua.ts";
import { READ_ENTITIES_LUA } from "./read-entities-lua.ts";

/** Arguments of each part: read-entities-lua.ts takes 2, apply-event-lua.ts takes 9. */
const READ_ARGS = 2;
const APPLY_ARGS = 9;

/**
 * A checkout's read and its own count in one atomic call: the read (read-entities-lua.ts) as of
 * the checkout, then the apply (apply-event-lua.ts) of the checkout itself, each with its own keys
 * and arguments. Read then counted in one step, the checkouts of a parallel burst on one card each
 * see the ones Redis ran before it; read in one call and counted in a later one (after the
 * decision), they all read the count from before the burst, which a card-testing tool firing in
 * parallel would exploit. The parts are the two scripts' own text, each wrapped as a function of
 * its KEYS and ARGV, so the protocol and every reply stay theirs.
 * KEYS: the read's keys, then the apply's. ARGV: the number of read keys, the read's 2 arguments,
 * the apply's 9. Returns { the read's reply, the apply's reply }.
 */
export const READ_THEN_APPLY_LUA = `
local function read_part(KEYS, ARGV)
${READ_ENTITIES_LUA}
end
local function apply_part(KEYS, ARGV)
${APPLY_EVENT_LUA}
end
local nr = tonumber(ARGV[1])
local read_keys, apply_keys = {}, {}
for i = 1, #KEYS do
  if i <= nr then read_keys[i] = KEYS[i] else apply_keys[i - nr] = KEYS[i] end
end
local read_args, apply_args = {}, {}
for i = 1, ${READ_ARGS} do read_args[i] = ARGV[1 + i] end
for i = 1, ${APPLY_ARGS} do apply_args[i] = ARGV[1 + ${READ_ARGS} + i] end
return { read_part(read_keys, read_args), apply_part(apply_keys, apply_args) }
`;
