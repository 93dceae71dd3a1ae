; Inno Setup script of the Mantra Desktop installer for Windows.
;
; Build on Windows, from the repository root, after PyInstaller:
;     .venv\Scripts\pyinstaller --noconfirm build.spec
;     iscc /DAppVersion=0.1.0 packaging\windows\mantra-desktop.iss
; which turns dist\mantra-desktop\ into dist\mantra-desktop-<version>-setup.exe.
; AppVersion must be the version in pyproject.toml (see docs/packaging.md).
;
; It installs per user by default (no administrator prompt) into
; %LOCALAPPDATA%\Programs\Mantra Desktop, or for all users into Program Files
; when the user picks that; adds a Start menu shortcut (and, on request, a
; desktop one) and an uninstaller. The app keeps its data in the user's
; AppData folders, which uninstalling leaves alone.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\mantra-desktop.iss
#endif

#define AppName "Mantra Desktop"
#define AppExe "mantra-desktop.exe"
#define AppPublisher "Mantra Desktop developers"
#define Root "..\.."

[Setup]
; The AppId identifies the app to the uninstaller and to upgrades: never change it.
AppId={{6B0F6C2E-3E0B-4B69-9A57-0E5C2B7D4A11}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=mantra-desktop-{#AppVersion}-setup
SetupIconFile={#Root}\resources\icons\mantra-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder: the executable and its _internal folder.
Source: "{#Root}\dist\mantra-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; AppUserModelID: "org.mantradesktop.MantraDesktop"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python may leave compiled files next to the bundle; remove the folder whole.
Type: filesandordirs; Name: "{app}\_internal"
