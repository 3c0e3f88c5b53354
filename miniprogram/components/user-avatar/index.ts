/** A user's avatar, or a lettered circle when there is none (never a grey stand-in). */
Component({
  properties: {
    url: { type: String, value: '' },
    initial: { type: String, value: '' },
    /** Diameter in rpx. */
    size: { type: Number, value: 96 },
  },
});
