"""The website channel: a static, accessible, account-free archive of every post and of the
partner accounts' posts, with feeds. Built by `socialpub site build`."""
