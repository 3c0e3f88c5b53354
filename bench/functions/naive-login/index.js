// Baseline for `npm run bench`: a login function written the way CloudBase quickstarts and
// tutorials do it — wx-server-sdk required from node_modules (unbundled), find-then-add.
// It exists to be measured against; do not use it.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async () => {
  const { OPENID } = cloud.getWXContext();
  const found = await db.collection('users').where({ _openid: OPENID }).get();
  if (found.data.length > 0) return { user: found.data[0], isNewUser: false };
  const user = { _openid: OPENID, nickName: '', avatarUrl: '', createdAt: db.serverDate() };
  const added = await db.collection('users').add({ data: user });
  return { user: { _id: added._id, ...user }, isNewUser: true };
};
