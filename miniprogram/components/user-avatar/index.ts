/**
 * A user's avatar: the picture; without one, a lettered circle (the nickname's first character);
 * without a nickname either, the default outline of a person (never an empty disc).
 */
Component({
  properties: {
    url: { type: String, value: '' },
    initial: { type: String, value: '' },
    /** Diameter in rpx. */
    size: { type: Number, value: 96 },
  },
});
