import { calculator } from "./calculator";
import { currentTime } from "./current-time";

export const agentTools = [calculator, currentTime];
