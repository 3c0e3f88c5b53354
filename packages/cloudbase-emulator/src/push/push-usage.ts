/** `npm run emulator -- push`'s usage (push-cli.ts), in a module of its own: the package's index exports it without loading the command (index.ts). */
export const PUSH_USAGE = `用法 Usage: npm run emulator -- push '<消息 JSON>' | <文件> | --verify [--url URL] [--data-dir DIR]
把一条微信消息推送（如 授权用户信息变更）按微信的方式（安全模式：加密并签名）投递给正在运行的模拟器中的推送云函数。
Delivers a WeChat message push to the running emulator's push function as WeChat does (安全模式: encrypted, signed).
  '<JSON>'          消息，如 '{"Event":"user_authorization_revoke","OpenID":"o…","RevokeInfo":"8"}'
                    （MsgType、CreateTime、AppID 缺省时自动补上） / the message; MsgType, CreateTime, AppID filled in when absent
  <文件 file>        含一条消息或消息数组的 JSON 文件 / a JSON file with one message or an array of them
  --verify          模拟微信校验推送 URL（GET + echostr） / WeChat's URL check (GET with echostr)
  --url URL         使用这个正在运行的模拟器 / use this running emulator
  --data-dir DIR    只用这个数据目录的模拟器 / only the emulator running on this data folder
  --functions DIR   云函数目录（找本项目的模拟器） / functions folder (finds this project's emulator)
`;
