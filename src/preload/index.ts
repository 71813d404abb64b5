// Sandboxed preload: exposes exactly one object, window.consoleApi, limited to the contract's methods.
import { contextBridge, ipcRenderer } from 'electron';
import { createConsoleBridge, methodNamesFromArgv } from './bridge';

contextBridge.exposeInMainWorld('consoleApi', createConsoleBridge(ipcRenderer, methodNamesFromArgv(process.argv)));
