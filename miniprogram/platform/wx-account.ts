/** The running mini-program's appid: part of the session cache's scope. */
export function currentAppId(): string {
  return wx.getAccountInfoSync().miniProgram.appId;
}
