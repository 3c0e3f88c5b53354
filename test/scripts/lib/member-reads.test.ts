import { readsOnlyMembers } from '../../../scripts/lib/member-reads';

describe('readsOnlyMembers', () => {
  it('given a binding used only as `name.member`, then true', () => {
    const source = `const storage_1 = require("./storage");
class App { upload(x) { return (0, storage_1.uploadFile)(this, x); } get list() { return storage_1.list; } }`;
    expect(readsOnlyMembers(source, './storage')).toBe(true);
  });

  it('given the module handed on as an export property, then true', () => {
    expect(readsOnlyMembers(`module.exports.HttpsAgent = require('./lib/https_agent');`, './lib/https_agent')).toBe(true);
  });

  it('given the binding itself passed, spread, copied or destructured, then false', () => {
    expect(readsOnlyMembers(`const s = require("./storage");\nuse(s);`, './storage')).toBe(false);
    expect(readsOnlyMembers(`const s = require("./storage");\nconst all = { ...s };`, './storage')).toBe(false);
    expect(readsOnlyMembers(`const s = __importStar(require("./storage"));`, './storage')).toBe(false);
    expect(readsOnlyMembers(`const { uploadFile } = require("./storage");`, './storage')).toBe(false);
  });

  it('given two requires of the specifier, or none, then false', () => {
    expect(readsOnlyMembers(`const a = require("./s");\nconst b = require("./s");\na.x; b.y;`, './s')).toBe(false);
    expect(readsOnlyMembers(`const a = require("./other");`, './s')).toBe(false);
  });

  it('given a longer name that contains the binding, or a member of that name, then it does not count as a use', () => {
    const source = `var serializer_1 = require("./parser/serializer");
var my_serializer_1 = 2; other.serializer_1 = 3;
function f() { return serializer_1.serializeInto(); }`;
    expect(readsOnlyMembers(source, './parser/serializer')).toBe(true);
  });
});
