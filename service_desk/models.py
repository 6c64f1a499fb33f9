"""Import every feature's models so the metadata is complete (Alembic, tests, seed)."""
from .accounts.models import ApiKey, ApiToken, Role, User  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .campaign.models import CampaignFigure  # noqa: F401
from .catalog.models import (  # noqa: F401
    Channel,
    Closure,
    OpeningHours,
    Service,
    ServiceKind,
    ServiceLocation,
    Slot,
    SpecialGroup,
)
from .matters.models import (  # noqa: F401
    Attachment,
    DeadlineExtension,
    ExtensionStatus,
    KeyIssue,
    Matter,
    MatterStatus,
    MatterUpdate,
    RecordOrigin,
    SupervisionNotice,
    UpdateKind,
)
from .notifications.models import Notification, NotificationStatus  # noqa: F401
from .projects.fieldwork import (  # noqa: F401
    OpeningCase,
    OpeningCaseItem,
    ProjectDifficulty,
    SiteSelection,
    SiteSelectionAnswer,
    SiteVisit,
)
from .projects.models import KeyProject, MilestoneKind, ProjectMilestone  # noqa: F401
from .ratings.models import Rating, RatingSource, Rectification, RectificationStatus  # noqa: F401
from .requests.models import CallLog, RequestEvent, RequestStatus, ServiceRequest  # noqa: F401
from .units.models import Unit, UnitKind  # noqa: F401
