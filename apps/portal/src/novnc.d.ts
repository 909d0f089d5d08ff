// @novnc/novnc ships no types: the part of RFB (docs/API.md, 1.7) the console page uses.
declare module "@novnc/novnc" {
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: string | WebSocket, options?: { shared?: boolean; wsProtocols?: string[] });
    scaleViewport: boolean;
    resizeSession: boolean;
    focusOnClick: boolean;
    sendCtrlAltDel(): void;
    disconnect(): void;
    focus(): void;
  }
}
