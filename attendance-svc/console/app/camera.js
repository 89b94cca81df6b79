// The camera, in a small panel: the dress-code selfie from the front camera
// (getUserMedia), a frame taken as a JPEG of at most 960 px, well under the
// 2 MiB the service takes (where there is no camera or it is refused, the
// phone's own capture, an <input type=file capture>, does instead); and the
// office kiosk's code read from the back camera (scan.js).
import { h, clear } from '/console/dom.js';
import { t } from '/console/i18n.js';
import { scanVideo } from './scan.js';

const WIDTH = 960;

function frameToJpeg(video) {
  const scale = Math.min(1, WIDTH / video.videoWidth);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
}

async function openCamera(facingMode) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('camera_unavailable');
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode }, audio: false });
  } catch {
    throw new Error('camera_unavailable');
  }
}

// Shows the camera's picture in panel with the given buttons under it; close() stops the camera.
function cameraPanel(panel, stream, label, buttons) {
  const video = h('video', { id: 'camera', autoplay: true, playsinline: true, muted: true, 'aria-label': label });
  video.srcObject = stream;
  clear(panel).append(video, h('div', { class: 'row' }, buttons));
  panel.hidden = false;
  const close = () => {
    for (const track of stream.getTracks()) track.stop();
    clear(panel);
    panel.hidden = true;
  };
  return { video, close };
}

// Opens the front camera in panel; resolves with a JPEG Blob, or null when cancelled. Rejects with an Error
// whose message is 'camera_unavailable' when there is no camera to open.
export async function takeSelfie(panel) {
  const stream = await openCamera('user');
  return new Promise((resolve) => {
    let view = null;
    const done = async (take) => {
      const blob = take ? await frameToJpeg(view.video) : null;
      view.close();
      resolve(blob);
    };
    view = cameraPanel(panel, stream, t('app.camera'), [
      h('button', { type: 'button', id: 'camera-take', class: 'primary', onclick: () => done(true) }, t('app.camera.take')),
      h('button', { type: 'button', id: 'camera-cancel', onclick: () => done(false) }, t('app.cancel'))]);
    view.video.addEventListener('loadedmetadata', () => document.getElementById('camera-take').focus(), { once: true });
  });
}

// Opens the back camera in panel and reads the kiosk's QR code from it; resolves with the code's text, or null
// when cancelled.
export async function scanKiosk(panel) {
  const stream = await openCamera('environment');
  let scan = null;
  const view = cameraPanel(panel, stream, t('app.kiosk.camera'), [
    h('button', { type: 'button', id: 'scan-cancel', onclick: () => scan.stop() }, t('app.cancel'))]);
  scan = scanVideo(view.video);
  const text = await scan.result;
  view.close();
  return text;
}
