"""The editorial workflow: who may publish what (departments, approvals), and when
(pause, quiet hours, embargo). Between validation and publishing: plan asks it, per post and
channel, whether anything holds a delivery back."""
