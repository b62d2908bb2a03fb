// A notification after its templates were rendered: what the services send.
export interface RenderedNotification {
    message: string;
    webhook: Record<string, { method?: string; path?: string; body?: string }>;
    slack?: { attachments?: string; blocks?: string; username?: string; icon?: string };
}
