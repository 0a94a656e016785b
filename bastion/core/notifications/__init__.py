"""Notifications: the inbox, its channels (e-mail, 企业微信/钉钉 robot), the daily digest
registry and the one service every module calls (``services.notification_send``)."""
