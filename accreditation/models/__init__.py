from .accreditation import (
    TRANSITIONS,
    Accreditation,
    AccreditationStatusChange,
    IllegalTransition,
    Status,
)
from .applications import (
    Application,
    ApplicationAnswer,
    ApplicationEvidence,
    ApplicationStatus,
    CriterionJudgement,
    EntryCriterion,
)
from .cohorts import Attendance, Cohort, MeetingAttendance, NetworkMeeting
from .evaluators import EvaluatorProfile, TimeEntry, TrainingSession

__all__ = [
    "TRANSITIONS",
    "Accreditation",
    "AccreditationStatusChange",
    "Application",
    "ApplicationAnswer",
    "ApplicationEvidence",
    "ApplicationStatus",
    "Attendance",
    "Cohort",
    "CriterionJudgement",
    "EntryCriterion",
    "EvaluatorProfile",
    "IllegalTransition",
    "MeetingAttendance",
    "NetworkMeeting",
    "Status",
    "TimeEntry",
    "TrainingSession",
]
