; Inno Setup script for Campaign Studio on Windows.
; Build the one-folder app first (pyinstaller packaging\studio.spec), then:
;   iscc /DAppVersion=0.1.0 packaging\windows\campaign-studio.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{8C5A6E2B-3F4D-4B8E-9A61-2C7D5E9F1A30}
AppName=Campaign Studio
AppVersion={#AppVersion}
AppPublisher=Campaign Studio
DefaultDirName={autopf}\Campaign Studio
DefaultGroupName=Campaign Studio
OutputDir=..\..\build\installer
OutputBaseFilename=CampaignStudio-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\campaign-studio.ico
UninstallDisplayIcon={app}\campaign-studio.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
WizardStyle=modern

[Files]
Source: "..\..\build\dist\campaign-studio\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Campaign Studio"; Filename: "{app}\campaign-studio.exe"; Parameters: "app"
Name: "{autodesktop}\Campaign Studio"; Filename: "{app}\campaign-studio.exe"; Parameters: "app"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; "Open with Campaign Studio" on folders: a workspace is a folder.
Root: HKA; Subkey: "Software\Classes\Directory\shell\CampaignStudio"; ValueType: string; ValueData: "Open with Campaign Studio"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Directory\shell\CampaignStudio"; ValueName: "Icon"; ValueType: string; ValueData: "{app}\campaign-studio.exe,0"
Root: HKA; Subkey: "Software\Classes\Directory\shell\CampaignStudio\command"; ValueType: string; ValueData: """{app}\campaign-studio.exe"" app ""%1"""

[Run]
Filename: "{app}\campaign-studio.exe"; Parameters: "--self-test"; StatusMsg: "Checking the installation..."; Flags: runhidden
Filename: "{app}\campaign-studio.exe"; Parameters: "app"; Description: "Start Campaign Studio"; Flags: postinstall nowait skipifsilent
