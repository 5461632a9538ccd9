/*
 * The SDL2 display target: console/display.h's sdl_target_ops.
 *
 * A window the size of the display's surface (it follows the guest's
 * resolution), keyboard (SDL scancodes mapped to Linux key codes) and mouse
 * to the guest's vkbd, text input to the text console while there is no
 * vkbd. Ctrl-Alt-G grabs and releases the mouse and keyboard, as in QEMU;
 * closing the window ends the launcher (SIGTERM to itself, the usual exit
 * path). Where no display server is reachable (no DISPLAY, no
 * WAYLAND_DISPLAY), SDL's "offscreen" video driver is used; the monitor's
 * screendump then reads back what the window shows.
 */
#ifndef CONSOLE_SDL_H
#define CONSOLE_SDL_H

/* Linux key code for an SDL scancode, 0 when there is none. */
unsigned sdl_scancode_to_linux(int scancode);

#endif
