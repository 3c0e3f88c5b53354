/**
 * Clicks on the preview's own controls (dialogs, sheets, the phone's chrome).
 *
 * On a touch screen the browser sends its click after the touch ended, at the same spot; by then
 * the touch may have opened a dialog there (exparser turns the touch itself into the page's tap).
 * That late "ghost" click would hit the new dialog and close it at once. A press only counts when
 * it also began on the control; keyboard activation (a click without a pointer) always counts.
 */
export function onPress(element: HTMLElement, handler: (event: MouseEvent) => void): void {
  let pressed = false;
  element.addEventListener('pointerdown', () => {
    pressed = true;
  });
  element.addEventListener('click', (event) => {
    const fromKeyboard = event.detail === 0;
    if (!pressed && !fromKeyboard) return;
    pressed = false;
    handler(event);
  });
}
