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

// A module, like every other script of the kit: a script without import or export is global, and TypeScript
// re-checks a whole project when a global script is added or changed (an install into a TypeScript project).
export {};
