/**
 * Configuration of the camera scanner (issue 12): which camera, at what size and rate, how a
 * code held in view is told from a new one, and how a lost camera is retried. `roadscan run
 * --camera DEVICE|FILE` overrides `device` and turns the camera on.
 * @module
 */
import { z } from 'zod';

export const cameraSection = {
  camera: z
    .strictObject({
      /** `off`; `alongside` the serial scanner (codes from both); `instead` of it (a unit with a camera only). */
      mode: z.enum(['off', 'alongside', 'instead']).default('off'),
      /**
       * `auto` (rpicam-vid when installed, as on Raspberry Pi OS, else /dev/video0), a V4L2 device
       * (`/dev/video0`, read through ffmpeg), `rpicam` or `rpicam:N`, or a video file or a folder
       * of pictures played as a camera.
       */
      device: z.string().min(1).max(4096).default('auto'),
      /** Frame size; rpicam-vid needs a width that is a multiple of 64 (unpadded YUV rows). */
      width: z.number().int().min(160).max(4096).multipleOf(64).default(640),
      height: z.number().int().min(120).max(4096).multipleOf(2).default(480),
      /** Frames per second asked of the camera: the CPU a camera costs is bounded by it. */
      fps: z.number().int().min(1).max(60).default(10),
      /** V4L2 input format (`mjpeg` gives USB webcams their full rate at 720p); null: the device's default. */
      inputFormat: z
        .string()
        .regex(/^[a-z0-9_]{1,32}$/, 'an ffmpeg pixel format or codec name such as "mjpeg"')
        .nullable()
        .default(null),
      /** The same code seen again within this long of its last sighting is not a new scan, ms. */
      repeatMs: z.number().int().min(0).max(600_000).default(3000),
      /** No frame for this long: the camera is treated as lost and restarted, ms. */
      stallMs: z.number().int().min(200).max(600_000).default(5000),
      /** A video file or folder starts over at its end (else its end closes the camera). */
      loop: z.boolean().default(true),
      /** How long each picture of a folder is shown, in seconds. */
      pictureSeconds: z.number().min(0.1).max(3600).default(2),
      /** Restarting a lost camera: first delay, growth factor, longest delay. */
      reconnect: z
        .strictObject({
          initialMs: z.number().int().min(10).max(60_000).default(500),
          factor: z.number().min(1).max(10).default(2),
          maxMs: z.number().int().min(10).max(600_000).default(15_000),
        })
        .prefault({}),
    })
    .prefault({}),
};
